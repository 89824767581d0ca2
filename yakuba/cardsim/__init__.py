"""The card and the certificate authority, simulated: a demo J-LIS for 一ノ森市 and the My Number
Cards' 利用者証明用電子証明書 used at the self-service kiosk (コンビニ交付). See ``interface.py``."""
