"""Packaging: everything is in pyproject.toml except where the templates go.

The document templates stay in the repository's top-level `templates/` folder
(the source tree, the tests and `make docx-templates` use them there). A wheel
carries them inside the package, as `pipeline/templates`, so an installed `nq28`
finds them wherever it is run from (pipeline/resources.py looks there first).
pyproject.toml cannot add a renamed folder to the packages it finds, hence this file.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["pipeline", "pipeline.*"]), "pipeline.templates"],
    package_dir={"pipeline.templates": "templates"},
    package_data={"pipeline.templates": ["**/*"]},
    exclude_package_data={"pipeline.templates": ["**/__pycache__/*", "**/*.pyc"]},
)
