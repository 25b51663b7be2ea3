"""The on-disk cache: parsed record files, the snapshot of a whole collection, and its texts file read through a memory map."""
