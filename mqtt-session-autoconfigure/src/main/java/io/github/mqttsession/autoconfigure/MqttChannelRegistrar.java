package io.github.mqttsession.autoconfigure;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.integration.channel.DirectChannel;

/**
 * Defines the inbound and outbound channels as {@link DirectChannel} beans under their
 * configured names ({@code mqtt.inbound.channel}, {@code mqtt.outbound.channel}), so an
 * application can inject them or subscribe to them before the lifecycle starts, unless
 * the application defines a bean of that name itself, of any channel kind.
 * <p>
 * The names are properties, so no {@code @ConditionalOnMissingBean} with a constant can
 * express this. It runs as a plain (unordered) bean factory post-processor, after every
 * bean definition registry post-processor, so an application's definition is seen
 * wherever it comes from: a {@code @Bean} method, component scanning, a registrar, or
 * Spring Integration's own {@code DirectChannel} for a {@code @ServiceActivator}'s input
 * channel. A channel an application declares inside an {@code IntegrationFlow} is only
 * known once the flow is built; {@link FlowChannelPrecedence} gives way to it then.
 */
final class MqttChannelRegistrar implements BeanFactoryPostProcessor, EnvironmentAware {

	/**
	 * The attribute that marks a channel definition as the starter's, one an
	 * application's channel replaces.
	 */
	static final String STARTER_CHANNEL = MqttChannelRegistrar.class.getName() + ".starterChannel";

	private static final MqttInboundProperties INBOUND_DEFAULTS = new MqttInboundProperties();

	private static final MqttOutboundProperties OUTBOUND_DEFAULTS = new MqttOutboundProperties();

	private Binder binder;

	@Override
	public void setEnvironment(Environment environment) {
		this.binder = Binder.get(environment);
	}

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		if (!(beanFactory instanceof BeanDefinitionRegistry registry)) {
			return;
		}
		if (enabled("mqtt.inbound.enabled", INBOUND_DEFAULTS.isEnabled())) {
			defineUnlessPresent(beanFactory, registry, name("mqtt.inbound.channel", INBOUND_DEFAULTS.getChannel()));
		}
		if (enabled("mqtt.outbound.enabled", OUTBOUND_DEFAULTS.isEnabled())) {
			defineUnlessPresent(beanFactory, registry, name("mqtt.outbound.channel", OUTBOUND_DEFAULTS.getChannel()));
		}
	}

	private boolean enabled(String property, boolean defaultValue) {
		return this.binder.bind(property, Bindable.of(Boolean.class)).orElse(defaultValue);
	}

	private String name(String property, String defaultValue) {
		return this.binder.bind(property, Bindable.of(String.class)).orElse(defaultValue);
	}

	private static void defineUnlessPresent(ConfigurableListableBeanFactory beanFactory,
			BeanDefinitionRegistry registry, String name) {
		// containsBean also sees aliases and singletons registered without a definition
		if (!beanFactory.containsBean(name)) {
			RootBeanDefinition channel = new RootBeanDefinition(DirectChannel.class);
			channel.setAttribute(STARTER_CHANNEL, Boolean.TRUE);
			registry.registerBeanDefinition(name, channel);
		}
	}

}
