package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The word-at-a-time number, space and name scanners of {@link TextParser} against the JDK's own
 * parsing, on random tokens placed anywhere in a buffer: mid-buffer (word loads), at its very end
 * (byte-loop fallback), and followed by more digits beyond the line's end (which must not be read).
 */
class SwarNumbersTest {
    /** A parser whose cursor the test places by hand. */
    static final class Cursor extends TextParser {
        Cursor() {
            super(null, new SourceResult("t"), false, 0);
        }

        @Override
        protected void parseLine() {
        }

        /** Puts {@code token} at {@code offset} of a buffer of {@code size} bytes (rest: {@code fill}) as the line. */
        Cursor at(String token, int offset, int size, byte fill) {
            byte[] t = token.getBytes(StandardCharsets.US_ASCII);
            byte[] buf = new byte[size];
            java.util.Arrays.fill(buf, fill);
            System.arraycopy(t, 0, buf, offset, t.length);
            b = buf;
            p = offset;
            lineStart = offset;
            end = offset + t.length;
            return this;
        }
    }

    private static final String HEX_DIGITS = "0123456789abcdefABCDEF";

    @Test
    void decimalNumbersAndTimestampsMatchTheJdk() {
        Random r = new Random(1);
        for (int trial = 0; trial < 20000; trial++) {
            int digits = 1 + r.nextInt(18);
            StringBuilder sb = new StringBuilder();
            if (r.nextInt(4) == 0) sb.append('-');
            for (int i = 0; i < digits; i++) sb.append((char) ('0' + r.nextInt(10)));
            String stop = r.nextBoolean() ? "" : new String[] {" ", ",", ")", ":", "\u00e9", "\t", "/"}[r.nextInt(7)];
            String tok = sb + stop;
            int size = tok.length() + r.nextInt(20);
            int offset = r.nextInt(size - tok.length() + 1);
            byte fill = (byte) (r.nextBoolean() ? '7' : ' '); // digits after the line must not count
            Cursor c = new Cursor().at(tok, offset, size, fill);
            assertEquals(Long.parseLong(sb.toString()), c.dec(), tok);
            assertEquals(offset + sb.length(), c.p, tok);
        }
        assertEquals("number too large at column 1",
                assertThrows(LineProblem.class, () -> new Cursor().at("99999999999999999999", 0, 40, (byte) ' ').dec()).getMessage());
        for (int trial = 0; trial < 20000; trial++) {
            int secDigits = 1 + r.nextInt(9);
            int fracDigits = 1 + r.nextInt(9);
            long secs = (long) (r.nextDouble() * Math.pow(10, secDigits));
            long frac = (long) (r.nextDouble() * Math.pow(10, fracDigits));
            String tok = String.format("%0" + secDigits + "d.%0" + fracDigits + "d:", secs, frac);
            int size = tok.length() + r.nextInt(20);
            int offset = r.nextInt(size - tok.length() + 1);
            Cursor c = new Cursor().at(tok, offset, size, (byte) '5');
            assertEquals(secs * 1_000_000_000L + frac * (long) Math.pow(10, 9 - fracDigits), c.timestamp(), tok);
        }
    }

    @Test
    void hexNumbersMatchTheJdk() {
        Random r = new Random(2);
        for (int trial = 0; trial < 20000; trial++) {
            int digits = 1 + r.nextInt(16);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < digits; i++) sb.append(HEX_DIGITS.charAt(r.nextInt(HEX_DIGITS.length())));
            String prefix = r.nextBoolean() ? "0x" : "";
            String stop = r.nextBoolean() ? "" : new String[] {" ", ",", ")", "g", "G", "@", "`", "/", ":", "\u0010"}[r.nextInt(10)];
            String tok = prefix + sb + stop;
            int size = tok.length() + r.nextInt(24);
            int offset = r.nextInt(size - tok.length() + 1);
            byte fill = (byte) (r.nextBoolean() ? 'a' : '3');
            Cursor c = new Cursor().at(tok, offset, size, fill);
            assertEquals(Long.parseUnsignedLong(sb.toString(), 16), c.hex(), tok);
            assertEquals(offset + prefix.length() + sb.length(), c.p, tok);
        }
        assertThrows(LineProblem.class, () -> new Cursor().at("0x11111111111111111", 0, 40, (byte) ' ').hex());
    }

    @Test
    void byteClassScannersAgreeWithAByteLoop() {
        Random r = new Random(3);
        byte[] alphabet = " :(a0-\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        for (int trial = 0; trial < 20000; trial++) {
            byte[] b = new byte[1 + r.nextInt(40)];
            for (int i = 0; i < b.length; i++) b[i] = r.nextInt(3) == 0 ? alphabet[r.nextInt(alphabet.length)] : (byte) ' ';
            int from = r.nextInt(b.length);
            int to = from + r.nextInt(b.length - from + 1);
            int sp = from;
            while (sp < to && b[sp] == ' ') sp++;
            assertEquals(sp, TextParser.skipSpaces(b, from, to));
            int ne = from;
            while (ne < to && b[ne] != ':' && b[ne] != '(' && b[ne] != ' ') ne++;
            assertEquals(ne, TextParser.nameEnd(b, from, to));
            int nl = -1;
            for (int i = from; i < to; i++) {
                if (b[i] == '(') {
                    nl = i;
                    break;
                }
            }
            assertEquals(nl, TextParser.indexOfByte(b, from, to, (byte) '('));
        }
    }
}
