package io.x0tta6bl4.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class KafkaBrokerClusterIdTest {
    @Test
    void clusterIdsAreKraftUuidsThatTheStorageToolCannotMistakeForAnOption() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20_000; i++) { // a leading '-' comes once in 64 ids: 20,000 draws would meet it ~300 times
            String id = KafkaBroker.clusterId();
            assertThat(id).doesNotStartWith("-").hasSize(22);
            assertThat(Uuid.fromString(id).toString()).isEqualTo(id);
            ids.add(id);
        }
        assertThat(ids).hasSize(20_000);
    }
}
