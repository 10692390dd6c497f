package io.assay.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client would send (half a request
 * line, a broken escape, an oversized header, a body that stops) and for reading exactly what
 * the collector answers, byte for byte.
 */
public final class RawHttp {
    /** What came back: the status (0 when the connection closed without an answer), headers, body. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {}

    public static Socket connect(URI url) throws IOException {
        Socket s = new Socket(url.getHost(), url.getPort());
        s.setSoTimeout(30_000);
        return s;
    }

    /** Sends {@code request} as is (it should say {@code Connection: close}) and reads the answer to EOF. */
    public static Answer exchange(URI url, String request) throws IOException {
        try (Socket s = connect(url)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return read(s.getInputStream());
        }
    }

    /** Reads one answer: up to Content-Length when given, else to EOF. */
    public static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        try {
            while (matched < 4 && (c = in.read()) >= 0) {
                head.write(c);
                matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
            }
        } catch (SocketException e) {
            if (head.size() == 0) return new Answer(0, Map.of(), "");
            throw e;
        }
        if (head.size() == 0) return new Answer(0, Map.of(), "");
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] body;
        String length = headers.get("content-length");
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        } else {
            body = in.readAllBytes();
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                line(in);
                return out.toByteArray();
            }
            out.write(in.readNBytes(n));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') b.append((char) c);
        }
        return b.toString();
    }

    /**
     * True when the peer closed the connection (EOF or reset) within the socket's read time-out,
     * reading and dropping whatever it sent first.
     */
    public static boolean closedByPeer(Socket s) throws IOException {
        try {
            InputStream in = s.getInputStream();
            byte[] scratch = new byte[8192];
            while (in.read(scratch) >= 0) {
                // an answer before the close is fine; keep reading to the end
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }
}
