"""The accreditation file (`leerplein dossier`) for Registerplein or SKJ, and a participant's
certificate of attendance for the action-learning meetings, both from the single sources."""
