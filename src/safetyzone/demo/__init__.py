"""Demo data from the program's source documents: the pilot stations and four seed zones."""
