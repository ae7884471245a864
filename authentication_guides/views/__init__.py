"""The guide pages: reading (list, guide, print, history), editing (guides and their indicators)
and the workflow (submit, publish, archive, and unpublish for platform admins)."""
