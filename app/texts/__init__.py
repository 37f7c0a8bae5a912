"""The texts people read, in Latvian and English."""
