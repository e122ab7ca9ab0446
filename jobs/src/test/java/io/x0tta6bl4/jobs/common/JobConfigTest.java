package io.x0tta6bl4.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {
    @Test
    void argumentsOverrideEnvironmentWhichOverridesTheFileWhichOverridesDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x0.properties");
        Files.writeString(file, "kafka.bootstrap=file:1\ntopic.prefix=file-\ncooldown.ms=5\n");
        JobConfig c = JobConfig.parse(new String[] {"--config", file.toString(), "--topic-prefix".substring(0, 2) + "topic.prefix", "arg-"},
                Map.of("X0_KAFKA_BOOTSTRAP", "env:1", "X0_TOPIC_PREFIX", "env-"));
        assertThat(c.get("kafka.bootstrap")).isEqualTo("env:1");
        assertThat(c.get("topic.prefix")).isEqualTo("arg-");
        assertThat(c.getLong("cooldown.ms")).isEqualTo(5);
        assertThat(c.get("es.url")).isEqualTo("http://127.0.0.1:9200");
    }

    @Test
    void unknownSettingsAndBadNumbersAreErrors() {
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--kafka.bootstrp", "x"}, Map.of())).hasMessageContaining("unknown setting");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--cooldown.ms", "soon"}, Map.of()).getLong("cooldown.ms"))
                .hasMessageContaining("whole number");
        assertThat(JobConfig.usage("detect-job", "d")).contains("--kafka.bootstrap", "X0_KAFKA_BOOTSTRAP");
    }
}
