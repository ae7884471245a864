"""The catalogue's web pages: reading (catalogue), forms (editing) and protected files (media)."""
