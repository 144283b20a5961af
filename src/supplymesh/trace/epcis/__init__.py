"""EPCIS 2.0 documents: validation of JSON-LD and XML capture and query documents."""
