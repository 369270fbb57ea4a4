"""Reading and writing files: the size-capped read that follows no link, source
decoding, atomic writes."""
