"""Reading a QR code back from a rendered page, as a phone would. OpenCV's classic detector misses
about one code in ten of random content at 150 dpi; the ArUco-based one reads them all, so it goes
first and the classic one is the fallback."""


def decode_qr(image) -> str:
    import cv2

    for detector in (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector()):
        text, _points, _straight = detector.detectAndDecode(image)
        if text:
            return str(text)
    return ""
