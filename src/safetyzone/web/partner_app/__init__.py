"""The partner's page: work orders addressed to a partner (a municipality, a provincial
administration, a private owner), answered from a phone in the field."""
