package io.github.sdlora4j.benchmark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LongRunResultTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void parsesTheChildsLinesAmongLogOutput() {
        List<String> out = new ArrayList<>();
        out.add("[main] INFO org.nd4j - Loaded");
        for (int t = 1; t <= 20; t++) {
            out.add(LongRunResult.line(new LongRunResult.Task(t, (1000 + t) * MIB, 900 * MIB, 1100 * MIB, 1.5)));
        }
        out.add("stray line");
        LongRunResult r = LongRunResult.parse(out);
        assertEquals(20, r.tasks().size());
        assertEquals(1005.0, r.peakMib(5).orElseThrow(), 1e-9);
        assertEquals(1020.0, r.peakMib(20).orElseThrow(), 1e-9);
        assertEquals(1100 * MIB, r.task(20).orElseThrow().hwmBytes());
        assertEquals(1.5, r.task(3).orElseThrow().seconds(), 1e-9);
        assertTrue(r.peakMib(21).isEmpty());
        assertTrue(LongRunResult.isTaskLine(out.get(1)));
        assertFalse(LongRunResult.isTaskLine(out.get(0)));
    }

    @Test
    void rangeIsOverTasksFromTheBaselineOnly() {
        List<LongRunResult.Task> tasks = new ArrayList<>();
        long[] peaks = {500, 700, 900, 950, 1000, 1050, 980, 1090};
        for (int i = 0; i < peaks.length; i++) {
            tasks.add(new LongRunResult.Task(i + 1, peaks[i] * MIB, 0, 0, 1));
        }
        LongRunResult.Range range = new LongRunResult(tasks).rangeOver(5).orElseThrow();
        assertEquals(0.98, range.min(), 1e-12, "tasks 1-4 (warming up) do not count");
        assertEquals(1.09, range.max(), 1e-12);
        assertEquals(0.09, range.deviation(), 1e-12);
        assertTrue(new LongRunResult(tasks.subList(0, 4)).rangeOver(5).isEmpty(), "run ended before task 5");
    }

    @Test
    void tasksMustBeNumberedFromOneWithoutGaps() {
        assertThrows(IllegalArgumentException.class, () -> new LongRunResult(List.of(
                new LongRunResult.Task(1, 1, 1, 1, 1), new LongRunResult.Task(3, 1, 1, 1, 1))));
    }

    @Test
    void childGetsAFixedResidentHeapAndNoDebuggerOrParentLimits() {
        List<String> options = LongRunMemory.childJvmOptions(List.of("-Xmx6g", "--add-modules", "jdk.incubator.vector",
                "-Dsdlora.engine=auto", "-agentlib:jdwp=transport=dt_socket", "-Dorg.bytedeco.javacpp.maxBytes=1g",
                "-Xms1g"), 1024);
        assertEquals(List.of("--add-modules", "jdk.incubator.vector", "-Dsdlora.engine=auto", "-Xms1024m", "-Xmx1024m",
                "-XX:+AlwaysPreTouch"), options);
    }
}
