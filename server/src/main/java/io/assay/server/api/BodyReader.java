package io.assay.server.api;

import io.assay.protocol.api.Problem;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a request body completely, asynchronously, within a size bound and a time bound, before
 * anything acts on it. No thread waits while the client sends: a host trickling its upload one
 * byte every few seconds holds no handler thread and no ingest permit, and is answered 408 when
 * its time is up.
 *
 * <p>A body over the size bound is never held: the rest is read and thrown away (up to
 * {@link #DISCARD_LIMIT_BYTES}, within the same time bound) so the client gets to read the 413
 * instead of a reset connection; beyond that the connection is closed after the answer.
 */
final class BodyReader implements Runnable {
    /** How much of an oversized body is drained to keep the connection orderly. */
    static final long DISCARD_LIMIT_BYTES = 64L * 1024 * 1024;
    private static final Map<String, String> CLOSE = Map.of("Connection", "close");

    private final Request request;
    private final long maxBytes;
    private final Consumer<byte[]> onBody;
    private final Consumer<ApiException> onError;
    private final AtomicBoolean finished = new AtomicBoolean();
    private ByteArrayOutputStream buffer;
    private long received;
    private ApiException oversize;
    private Scheduler.Task timeout;

    private BodyReader(Request request, long maxBytes, Consumer<byte[]> onBody, Consumer<ApiException> onError) {
        this.request = request;
        this.maxBytes = maxBytes;
        this.onBody = onBody;
        this.onError = onError;
    }

    /**
     * Starts reading; exactly one of {@code onBody} or {@code onError} is called once, on a thread
     * that may block (the caller's, a Jetty pool thread, or, for the time-out, the scheduler's).
     */
    static void read(Request request, long maxBytes, Duration timeLimit, Scheduler scheduler,
            Consumer<byte[]> onBody, Consumer<ApiException> onError) {
        BodyReader reader = new BodyReader(request, maxBytes, onBody, onError);
        long declared = request.getLength();
        if (declared > maxBytes) {
            reader.oversize = tooLarge(declared + " bytes", maxBytes, Map.of());
        } else {
            reader.buffer = new ByteArrayOutputStream((int) Math.max(256, Math.min(declared, 64 * 1024)));
        }
        reader.timeout = scheduler.schedule(() -> reader.fail(timedOut(timeLimit)), timeLimit);
        reader.run();
    }

    /** Reads what is there; asks to be called again when more arrives. */
    @Override
    public void run() {
        while (!finished.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable cause = chunk.getFailure();
                chunk.release();
                fail(new ApiException(Problem.of(400, "malformed", "Malformed request",
                        "the request body could not be read completely: " + describe(cause)), CLOSE));
                return;
            }
            ByteBuffer data = chunk.getByteBuffer();
            int n = data.remaining();
            received += n;
            if (buffer != null) {
                if (received > maxBytes) {
                    buffer = null; // drop what we held; the answer is 413 now
                    oversize = tooLarge("more than " + maxBytes + " bytes", maxBytes, Map.of());
                } else {
                    byte[] bytes = new byte[n];
                    data.get(bytes);
                    buffer.write(bytes, 0, n);
                }
            }
            boolean last = chunk.isLast();
            chunk.release();
            if (oversize != null && received > DISCARD_LIMIT_BYTES) {
                fail(tooLarge("more than " + maxBytes + " bytes", maxBytes, CLOSE));
                return;
            }
            if (last) {
                if (oversize != null) {
                    fail(oversize);
                } else if (finished.compareAndSet(false, true)) {
                    timeout.cancel();
                    onBody.accept(buffer.toByteArray());
                }
                return;
            }
        }
    }

    private void fail(ApiException e) {
        if (!finished.compareAndSet(false, true)) return;
        timeout.cancel();
        onError.accept(e);
    }

    private static ApiException timedOut(Duration limit) {
        return new ApiException(Problem.of(408, "timeout", "Request body too slow",
                "the request body did not arrive completely within " + limit.toMillis() / 1000.0
                        + " s; send it at once, or send smaller batches"), CLOSE);
    }

    private static ApiException tooLarge(String size, long maxBytes, Map<String, String> headers) {
        return new ApiException(Problem.of(413, "too-large", "Request body too large", "the body is " + size
                + " but this collector accepts at most " + maxBytes + " bytes per request; send smaller batches"),
                headers);
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return Limits.excerpt(m == null ? t.getClass().getSimpleName() : m);
    }
}
