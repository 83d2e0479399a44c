KEY = "{{real-key:api03:fixture}}"


def test_key() -> None:
    assert KEY.startswith("sk-ant-")
