"""Use cases: wire configuration, adapters and analyses into what each command does."""
