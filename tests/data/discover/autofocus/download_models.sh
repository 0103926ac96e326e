wget http://example.invalid/models.zip
