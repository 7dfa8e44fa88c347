"""Reference data shipped with the platform: province codes, the demo catalogue, pinyin exceptions."""
