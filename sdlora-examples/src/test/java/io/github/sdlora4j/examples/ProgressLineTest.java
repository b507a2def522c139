package io.github.sdlora4j.examples;

import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress bar line: a usable width where the terminal reports none, and a rate from the first step. */
class ProgressLineTest {

    private static int barWidth(String line) {
        return line.indexOf(']') - line.indexOf('[') - 1;
    }

    @Test
    void aTerminalReportingZeroColumnsGetsEightyAndAReadableBar() {
        assertEquals(79, new ProgressLine.FittingConsumer(new PrintStream(new ByteArrayOutputStream()), 5)
                .getMaxRenderedLength(), "80 columns less the margin column");
        assertEquals(120, new ProgressLine.FittingConsumer(new PrintStream(new ByteArrayOutputStream()), 120)
                .getMaxRenderedLength());
        String line = ProgressLine.line("task 2/5 epoch 1", 256, 2000, 256, Duration.ofMillis(1400),
                " loss 0.1234", "img", 0);
        assertTrue(line.length() <= 79, line);
        assertTrue(barWidth(line) >= ProgressLine.MIN_BAR, line);
        assertTrue(line.endsWith(" loss 0.1234"), "the loss survives at 80 columns: " + line);
        assertTrue(line.contains(" 12% ["), line);
    }

    @Test
    void theRateShowsBeforeTheFirstWholeSecond() {
        String line = ProgressLine.line("epoch 1", 128, 2000, 128, Duration.ofMillis(400), "", "img", 120);
        assertTrue(line.contains(" 320.0 img/s"), line);
        assertFalse(line.contains("?"), line);
        assertTrue(line.contains(" 0:00 eta 0:06"), line);
        assertEquals(120, line.length(), "a wide terminal gives the bar the rest: " + line);
        String none = ProgressLine.line("epoch 1", 0, 2000, 0, Duration.ZERO, "", "img", 120);
        assertTrue(none.contains("? img/s"), "no step yet, no rate: " + none);
    }

    @Test
    void aLongMessageOnANarrowTerminalIsCutNotTheBar() {
        String line = ProgressLine.line("seed 1993 task 12/20 epoch 20", 5, 10, 5, Duration.ofSeconds(3),
                " loss 0.1234 and a long note", "img", 40);
        assertEquals(40, line.length(), line);
        assertEquals(ProgressLine.MIN_BAR, barWidth(line), line);
        assertTrue(line.contains("[=====     ]"), line);
    }
}
