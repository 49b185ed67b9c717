"""The network's impact figures: partners, opportunities, engagement, events, feedback, courses,
enquiries and equality monitoring, added up from every domain app (so this package sits above
them in the layers), computed nightly into a snapshot the pages read in one query."""
