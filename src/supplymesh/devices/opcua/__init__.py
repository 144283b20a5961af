"""OPC UA: the platform as a client of machines' OPC UA servers, and a simulated machine."""
