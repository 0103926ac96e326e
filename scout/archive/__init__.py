"""The offline Papers with Code archive: read the dumps, import them into the store, embed them
and build the vector index, download them. Entry points: `importer.import_dump`,
`embedding.embed_store` and `embedding.build_store_index`, `download.download`."""
