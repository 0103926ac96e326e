print("asks for a config, then runs gcloud.local.run.keras.sh")
