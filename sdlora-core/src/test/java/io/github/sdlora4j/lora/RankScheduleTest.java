package io.github.sdlora4j.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RankScheduleTest {

    @Test
    void defaultReductionMatchesTheReferenceSchedule() {
        RankSchedule s = RankSchedule.DEFAULT_REDUCTION;
        int[] tasks = {0, 3, 4, 7, 8, 20};
        int[] ranks = {10, 10, 8, 8, 6, 6};
        for (int i = 0; i < tasks.length; i++) {
            assertEquals(ranks[i], s.rankFor(tasks[i]), "task " + tasks[i]);
        }
    }

    @Test
    void constantScheduleIsConstant() {
        RankSchedule s = RankSchedule.constant(10);
        for (int task = 0; task < 30; task++) {
            assertEquals(10, s.rankFor(task));
        }
    }

    @Test
    void customReductionSwitchesAtMuAndNu() {
        RankSchedule s = RankSchedule.reduction(16, 2, 12, 5, 4);
        assertEquals(16, s.rankFor(1));
        assertEquals(12, s.rankFor(2));
        assertEquals(12, s.rankFor(4));
        assertEquals(4, s.rankFor(5));
    }

    @Test
    void validation() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RankSchedule.constant(0))
                .getMessage().contains("initialRank"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RankSchedule.reduction(10, 4, 0, 8, 6))
                .getMessage().contains("muRank"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RankSchedule.reduction(10, 4, 8, 8, -1))
                .getMessage().contains("nuRank"));
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                () -> RankSchedule.reduction(10, 8, 8, 8, 6));
        assertTrue(order.getMessage().contains("mu = 8") && order.getMessage().contains("nu = 8"),
                order.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RankSchedule.reduction(10, 0, 8, 8, 6));
        assertThrows(IllegalArgumentException.class, () -> RankSchedule.DEFAULT_REDUCTION.rankFor(-1));
    }

    @Test
    void jsonRoundTripAndValidationOnRead() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        String json = mapper.writeValueAsString(RankSchedule.DEFAULT_REDUCTION);
        assertEquals("{\"initialRank\":10,\"mu\":4,\"muRank\":8,\"nu\":8,\"nuRank\":6}", json);
        assertEquals(RankSchedule.DEFAULT_REDUCTION, mapper.readValue(json, RankSchedule.class));
        Exception e = assertThrows(Exception.class, () -> mapper.readValue(
                "{\"initialRank\":10,\"mu\":9,\"muRank\":8,\"nu\":8,\"nuRank\":6}", RankSchedule.class));
        assertTrue(e.getMessage().contains("1 <= mu < nu"), e.getMessage());
    }
}
