"""Pan, tilt and zoom through ONVIF: the client (``client``) and the rules (``service``)."""
