package io.github.sdlora4j.benchmark;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineInfoTest {

    @Test
    void physicalCoresCountDistinctCoresPerSocketNotHyperThreads() {
        List<String> twoSocketsTwoCoresSmt = List.of(
                "processor\t: 0", "physical id\t: 0", "core id\t\t: 0",
                "processor\t: 1", "physical id\t: 0", "core id\t\t: 1",
                "processor\t: 2", "physical id\t: 0", "core id\t\t: 0",
                "processor\t: 3", "physical id\t: 0", "core id\t\t: 1",
                "processor\t: 4", "physical id\t: 1", "core id\t\t: 0",
                "processor\t: 5", "physical id\t: 1", "core id\t\t: 1");
        assertEquals(OptionalInt.of(4), MachineInfo.physicalCores(twoSocketsTwoCoresSmt));
        assertTrue(MachineInfo.physicalCores(List.of("processor\t: 0", "flags\t: avx2")).isEmpty());
    }

    @Test
    void physicalCoresOfThisMachineAreAtMostItsProcessors() {
        int cores = MachineInfo.physicalCores();
        assertTrue(cores >= 1 && cores <= Runtime.getRuntime().availableProcessors(), "got " + cores);
    }
}
