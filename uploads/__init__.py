"""Safe handling of uploaded pictures: checks, re-encoding, thumbnails, private paths and
protected serving. Used by every feature with pictures; imports no feature app."""
