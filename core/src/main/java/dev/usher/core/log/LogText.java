package dev.usher.core.log;

/** Makes text from requests safe to put in a log line. */
public final class LogText {

    private static final int MAX = 200;

    private LogText() {
    }

    /**
     * @return {@code text} with control characters escaped (so no one can forge log lines) and cut to
     *         200 characters
     */
    public static String safe(String text) {
        if (text == null) {
            return "-";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX) + 8);
        for (int i = 0; i < text.length(); i++) {
            if (out.length() >= MAX) {
                out.append('…');
                break;
            }
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
