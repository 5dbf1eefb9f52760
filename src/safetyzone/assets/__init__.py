"""The asset registry: cameras and their points, SOS points, speakers and street furniture."""
