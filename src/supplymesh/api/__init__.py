"""HTTP adapter: FastAPI app and one thin router per context."""
