"""Paper and category records: the schema and its validation, reading record files with line numbers for every problem, and the loaded catalog."""
