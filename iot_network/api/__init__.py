"""The open data API (/api/v1/): read-only, anonymous JSON over the public catalogue.

It sits at the top of the layers, beside the URL roots and the portal, because it reads courses,
events, partners and institutes together."""
