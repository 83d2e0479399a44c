"""Configuration: pydantic-settings reads .env into this object (not into os.environ)."""
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")

    anthropic_api_key: str
    summary_model: str = "claude-haiku-4-5"


settings = Settings()
