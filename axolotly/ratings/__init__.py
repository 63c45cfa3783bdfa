"""Rating scales per country (issue 25): the pure scales, their table, the API and the refresh."""
