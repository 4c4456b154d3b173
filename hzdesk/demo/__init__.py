"""Realistic sample data for one township (`hzdesk demo`)."""

from hzdesk.demo.generate import SCALES, DemoOptions, load_demo

__all__ = ["SCALES", "DemoOptions", "load_demo"]
