"""Paraat's matcher: text encoders and the embedding cache it ranks suppliers with."""
