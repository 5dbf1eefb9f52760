"""Organization: national HQ -> region -> province -> station -> zone; partners and users."""
