package io.github.mqttsession.autoconfigure;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration processor documents every property, so that IDEs complete and explain
 * it; the README names none that IDEs would not know, and properties with a fixed set of
 * values offer them.
 */
class ConfigurationMetadataTests {

	/**
	 * Properties whose valid values are a fixed set that their type does not tell: the
	 * protocol version is text, a QoS a number.
	 */
	private static final Set<String> FIXED_SET_NOT_IN_TYPE = Set.of("mqtt.client.protocol-version",
			"mqtt.client.will.qos", "mqtt.outbound.default-qos");

	@Test
	void everyPropertyHasADescriptionAndTheDocumentedDefault() throws Exception {
		List<Map<String, Object>> properties = properties();
		assertThat(properties).extracting((property) -> property.get("name"))
			.contains("mqtt.session.store", "mqtt.session.jpa.initialize-schema", "mqtt.session.jpa.table-prefix");
		assertThat(properties).allSatisfy((property) -> assertThat((String) property.get("description"))
			.as("description of %s", property.get("name"))
			.isNotBlank());
		assertThat(defaultOf(properties, "mqtt.session.store")).isEqualTo("auto");
		assertThat(defaultOf(properties, "mqtt.session.jpa.initialize-schema")).isEqualTo("always");
		assertThat(defaultOf(properties, "mqtt.session.jpa.table-prefix"))
			.isEqualTo(JpaSessionStore.DEFAULT_TABLE_PREFIX);
		assertThat(defaultOf(properties, "management.health.mqttsession.store-timeout")).isEqualTo("2s");
		assertThat(defaultOf(properties, "management.health.mqttsession.enabled")).isEqualTo(true);
		assertThat(defaultOf(properties, "mqtt.observations.enabled")).isEqualTo(true);
	}

	@Test
	void everyPropertyTheReadmeNamesIsInTheMetadata() throws Exception {
		Set<String> documented = ReadmePropertyNames.read();
		// the README is read as intended: table rows, their siblings, and the text
		assertThat(documented).contains("mqtt.client.url", "mqtt.client.password", "mqtt.client.will.qos",
				"mqtt.inbound.topics", "mqtt.session.lease.*", "management.health.mqttsession.enabled");
		assertThat(documented).doesNotContain("mqtt.session.messages.pending", "mqtt.session.store.operations");
		List<Map<String, Object>> properties = properties();
		List<Object> groups = metadata().read("$.groups[*].name");
		List<String> missing = documented.stream().filter((name) -> !isDescribed(name, properties, groups)).toList();
		assertThat(missing).as("properties README.md names that the configuration metadata lacks").isEmpty();
	}

	@Test
	void everyDefaultTheDocumentationGivesIsTheMetadatasDefault() throws Exception {
		List<Map<String, Object>> properties = properties();
		List<String> checked = new ArrayList<>();
		List<String> wrong = new ArrayList<>();
		for (String row : ReadmePropertyNames.documentation()) {
			String[] cells = row.split("\\|");
			if (!row.startsWith("| `") || cells.length < 3) {
				continue;
			}
			List<String> names = ReadmePropertyNames.codeSpans(cells[1]);
			Object metadataDefault = names.isEmpty() ? null : defaultOrNull(properties, names.get(0));
			if (metadataDefault == null) {
				continue;
			}
			String documented = cells[2].strip();
			String expected = String.valueOf(metadataDefault);
			checked.add(names.get(0));
			if (ReadmePropertyNames.codeSpans(documented).stream().noneMatch(expected::equalsIgnoreCase)
					&& !documented.toLowerCase(Locale.ROOT).contains(expected.toLowerCase(Locale.ROOT))) {
				wrong.add(names.get(0) + ": documented " + documented + ", metadata " + expected);
			}
		}
		// the property table is read as intended
		assertThat(checked).contains("mqtt.session.store", "mqtt.session.lease.duration", "mqtt.client.max-inflight");
		assertThat(wrong).as("defaults the documentation gives that the metadata does not").isEmpty();
	}

	@Test
	void everyPropertyWithAFixedSetOfValuesOffersThem() throws Exception {
		List<String> fixedSet = new ArrayList<>(FIXED_SET_NOT_IN_TYPE);
		for (Map<String, Object> property : properties()) {
			String name = (String) property.get("name");
			if (name.startsWith("mqtt.") && (name.endsWith("qos") || enumType(property) != null)) {
				fixedSet.add(name);
			}
		}
		assertThat(fixedSet).contains("mqtt.session.store", "mqtt.session.overflow",
				"mqtt.session.jpa.initialize-schema");
		DocumentContext metadata = metadata();
		for (String name : fixedSet) {
			List<Object> values = metadata.read("$.hints[?(@.name == '" + name + "')].values[*].value");
			assertThat(values).as("value hints of %s", name).isNotEmpty();
		}
		for (Map<String, Object> property : properties()) {
			Class<?> type = enumType(property);
			if (type != null && ((String) property.get("name")).startsWith("mqtt.")) {
				List<Object> values = metadata
					.read("$.hints[?(@.name == '" + property.get("name") + "')].values[*].value");
				assertThat(values).as("value hints of %s", property.get("name"))
					.containsExactlyInAnyOrderElementsOf(Arrays.stream(type.getEnumConstants())
						.map((constant) -> ((Enum<?>) constant).name().toLowerCase().replace('_', '-'))
						.toList());
			}
		}
		assertThat((List<Object>) metadata.read("$.hints[?(@.name == 'mqtt.client.protocol-version')].values[*].value"))
			.contains("3.1.1", "5");
		assertThat((List<Object>) metadata.read("$.hints[?(@.name == 'mqtt.outbound.default-qos')].values[*].value"))
			.containsExactly(0, 1, 2);
	}

	private static boolean isDescribed(String name, List<Map<String, Object>> properties, List<Object> groups) {
		if (name.endsWith(".*")) {
			String group = name.substring(0, name.length() - 2);
			return groups.contains(group);
		}
		return properties.stream().anyMatch((property) -> name.equals(property.get("name")));
	}

	private static Class<?> enumType(Map<String, Object> property) {
		String type = Objects.toString(property.get("type"), "");
		try {
			Class<?> candidate = Class.forName(type, false, ConfigurationMetadataTests.class.getClassLoader());
			return candidate.isEnum() ? candidate : null;
		}
		catch (ClassNotFoundException ex) {
			// a generic type such as java.util.List<…>: not an enum
			return null;
		}
	}

	private static List<Map<String, Object>> properties() throws Exception {
		return new ArrayList<>(metadata().read("$.properties"));
	}

	private static DocumentContext metadata() throws Exception {
		try (InputStream json = ConfigurationMetadataTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(json).as("metadata generated by spring-boot-configuration-processor").isNotNull();
			return JsonPath.parse(json);
		}
	}

	private static @Nullable Object defaultOrNull(List<Map<String, Object>> properties, String name) {
		return properties.stream()
			.filter((property) -> name.equals(property.get("name")))
			.findFirst()
			.map((property) -> property.get("defaultValue"))
			.orElse(null);
	}

	private static Object defaultOf(List<Map<String, Object>> properties, String name) {
		return properties.stream()
			.filter((property) -> name.equals(property.get("name")))
			.findFirst()
			.orElseThrow()
			.get("defaultValue");
	}

}
