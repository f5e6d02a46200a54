package dev.usher.core.api;

import dev.usher.core.repository.ReplayLedger;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Carries out a mutating signed command at most once per signature (see {@link SevuApi}'s
 * "Idempotent retry"): claims it in the {@link ReplayLedger} it is given before the effect, stores
 * the first answer, and gives a copy that first answer again; a copy that arrives while the first is
 * still at work waits for it (on this node through {@link #inFlight}, on another by reading the
 * ledger), at most {@link #RETRY_WAIT}, then is answered 0013.
 */
final class OncePerSignature {

    private static final System.Logger LOG = System.getLogger("dev.usher.api");

    /** How long a retry waits for the answer of its first copy that is still being carried out. */
    static final Duration RETRY_WAIT = Duration.ofSeconds(5);

    /** A command carried out at most once. */
    interface Effect {
        SevuApi.Answer run() throws ApiFailure;
    }

    private final ReplayLedger ledger;
    /** The mutating requests this node is carrying out, so that a copy of one waits for its answer. */
    private final Map<String, CompletableFuture<String>> inFlight = new ConcurrentHashMap<>();

    OncePerSignature(ReplayLedger ledger) {
        this.ledger = ledger;
    }

    /** Runs {@code effect} if {@code command} is the first of its signature, else answers as the first did. */
    SevuApi.Answer once(SignedCommand command, Effect effect) throws ApiFailure {
        String requestId = command.requestId();
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> first = inFlight.putIfAbsent(requestId, mine);
        if (first != null) { // a copy of a request this node is carrying out right now
            return stored(waitFor(first));
        }
        try {
            ReplayLedger.Claim claim = ledger.claim(requestId, command.until());
            if (claim == ReplayLedger.Claim.FULL) {
                throw new ApiFailure(ApiCode.SERVER_BUSY, "too many signed requests in the timestamp window");
            }
            if (claim == ReplayLedger.Claim.SEEN) { // carried out before, or right now on another node
                String answer = readStored(requestId);
                mine.complete(answer);
                return stored(answer);
            }
            SevuApi.Answer answer;
            try {
                answer = effect.run();
            } catch (ApiFailure f) {
                answer = SevuApi.failureAnswer(f); // a refusal is the first answer too: the retry gets it again
            } catch (RuntimeException e) {
                // The effect may or may not have happened (a database that failed mid-way): never
                // carried out again under this signature, its retries get this 0004 at once.
                answer = SevuApi.unexpected(e);
            }
            String json = answer.json();
            mine.complete(json);
            try {
                ledger.answer(requestId, json);
            } catch (RuntimeException e) {
                // Carried out, so the caller gets its answer; the claim stays, so a retry elsewhere is
                // answered 0013 (never carried out twice) until the window closes.
                LOG.log(System.Logger.Level.WARNING, "the answer of a signed API request could not be stored", e);
            }
            return answer;
        } catch (RuntimeException | Error e) {
            mine.complete(null); // copies waiting here are told to retry; the ledger keeps the claim
            throw e;
        } catch (ApiFailure f) {
            mine.complete(null);
            throw f;
        } finally {
            inFlight.remove(requestId, mine);
        }
    }

    private static String waitFor(CompletableFuture<String> first) {
        try {
            return first.get(RETRY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /**
     * The answer another node stored, or null when it is not there within {@link #RETRY_WAIT}. The
     * other node commits its claim before it starts, so the answer follows within the time of one
     * command; the ledger is read again after growing pauses (a shared database has no way to say
     * "wait for this row's update" that PostgreSQL and H2 both offer).
     */
    private String readStored(String requestId) {
        long deadline = System.nanoTime() + RETRY_WAIT.toNanos();
        long pause = 2;
        while (true) {
            Optional<String> answer = ledger.answerOf(requestId);
            if (answer.isPresent() || System.nanoTime() - deadline > 0) {
                return answer.orElse(null);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            pause = Math.min(pause * 2, 100);
        }
    }

    /** The first answer again, or 0013 when there is none to give (not yet, or not kept). */
    private static SevuApi.Answer stored(String json) throws ApiFailure {
        if (json == null || json.equals(ReplayLedger.TOO_LONG)) {
            throw new ApiFailure(ApiCode.REQUEST_IN_PROGRESS, "signature", json == null
                    ? "the same signed request is still being carried out; send it again in a moment"
                    : "the first answer to this signed request was too long to keep; sign it again (a new timestamp)");
        }
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (Json.JsonException e) {
            throw new IllegalStateException("a stored API answer is not JSON", e);
        }
        if (!(parsed instanceof Map<?, ?> members) || !(members.get("code") instanceof BigDecimal number)) {
            throw new IllegalStateException("a stored API answer has no code");
        }
        ApiCode code = ApiCode.of(number.intValue()).orElseThrow(() -> new IllegalStateException("a stored API answer has an unknown code"));
        Map<String, Object> body = new LinkedHashMap<>();
        members.forEach((k, v) -> body.put((String) k, v));
        body.remove("handle_time");
        return new SevuApi.Answer(code, body);
    }
}
