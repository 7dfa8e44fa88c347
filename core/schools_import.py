import click
from flask.cli import AppGroup
schools_cli = AppGroup("schools", help="院校字典")
