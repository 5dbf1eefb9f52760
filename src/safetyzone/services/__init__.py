"""Station services online (issue 11): lost-document reports, home watch (ฝากบ้าน 4.0),
legal consultation and volunteer service posts. Above patrol and citizen: it builds on
them (plans, the citizen's notices, media checks) and nothing below imports it."""
