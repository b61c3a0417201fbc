"""Currencies: ISO 4217 codes, the admin-kept exchange-rate table and conversion into the
company currency (pure rules in ``rules``, storage in ``records``, use cases in ``service``)."""
