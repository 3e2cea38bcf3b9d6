"""The web service: JSON routes, the HTML search form and its templates, over one live index."""
