"""Answer support tickets with Claude; the key comes from the command line."""
import argparse

from anthropic import Anthropic

parser = argparse.ArgumentParser()
parser.add_argument("--api-key")
args = parser.parse_args()
client = Anthropic(api_key=args.api_key)
