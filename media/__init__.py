"""Images and files: storage, validation and renditions; built in the media issue."""
