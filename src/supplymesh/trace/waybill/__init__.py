"""The e-waybill (链上签): every step signed by its owner, chained and logged in the ledger."""
