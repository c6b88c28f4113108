"""il2bot: sourced answers about interleukin-2 and interleukin-7 therapies."""

__version__ = "0.1.0"
