package io.github.sdlora4j.learner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuietStdoutTest {

    private static final String NOISE = "Added differentiated op";

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
    private PrintStream original;

    @BeforeEach
    void captureStandardOutput() {
        original = System.out;
        System.setOut(capture);
    }

    @AfterEach
    void restoreStandardOutput() {
        System.setOut(original);
    }

    private String out() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** A two-op graph with a loss, ready to be differentiated. */
    private static SameDiff graph() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 3, 2));
        sd.setLossVariables(x.mmul(w).sum("loss"));
        return sd;
    }

    @Test
    void sameDiffsPerOpLinesStayOffStandardOutput() {
        graph().createGradFunction();
        assertTrue(out().contains(NOISE), "SameDiff prints the per-op lines when not filtered: " + out());
        captured.reset();

        SameDiff sd = graph();
        QuietStdout.createGradFunction(sd);
        System.out.println("application line");

        assertNotNull(sd.getFunction("grad"));
        assertFalse(out().contains(NOISE), out());
        assertTrue(out().contains("application line"), out());
        assertSame(capture, System.out, "standard output is given back");
    }

    @Test
    void anotherThreadsOutputDuringDifferentiationIsUntouched() throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        QuietStdout.quietly(() -> {
            Thread other = new Thread(() -> {
                System.out.println(NOISE + " by another thread's own code");
                System.out.print("partial ");
                System.out.printf("%d%n", 42);
            });
            other.setUncaughtExceptionHandler((t, e) -> failure.set(e));
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            graph().createGradFunction();
            System.out.println(NOISE + " dropped");
            System.out.println("own line");
        });
        assertSame(null, failure.get());
        String out = out();
        assertTrue(out.contains(NOISE + " by another thread's own code\n"), out);
        assertTrue(out.contains("partial 42\n"), out);
        assertTrue(out.contains("own line\n"), out);
        assertEquals(1, out.split(NOISE, -1).length - 1, "only the other thread's line: " + out);
    }

    @Test
    void overlappingCallsFromTwoThreadsGiveStandardOutputBack() throws InterruptedException {
        CountDownLatch firstIn = new CountDownLatch(1);
        CountDownLatch secondIn = new CountDownLatch(1);
        CountDownLatch firstOut = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread first = new Thread(() -> QuietStdout.quietly(() -> {
            firstIn.countDown();
            await(secondIn);
            System.out.println(NOISE + " first");
        }));
        Thread second = new Thread(() -> QuietStdout.quietly(() -> {
            secondIn.countDown();
            await(firstOut);
            System.out.println(NOISE + " second");
        }));
        first.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        second.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        first.start();
        await(firstIn);
        second.start();
        first.join();
        firstOut.countDown();
        second.join();

        assertSame(null, failure.get());
        assertSame(capture, System.out, "the first call to leave must not take the second one's filter away for good");
        assertFalse(out().contains(NOISE), out());
        System.out.println(NOISE + " after both");
        assertTrue(out().contains(NOISE + " after both"), "nothing is filtered afterwards: " + out());
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS), "timed out");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
