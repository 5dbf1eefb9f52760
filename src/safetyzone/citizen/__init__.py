"""Citizens reach their station: emergencies, reports and tips from the public app and LINE."""
