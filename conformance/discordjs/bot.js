// A minimal stock discord.js 14 bot, for the conformance run against novera-sim.
//
// It is the bot a discord.js user writes; the one change is where it connects (`rest.api`
// below). It registers a global /ping, answers /ping and !ping with "pong", and answers two
// questions the conformance driver asks through the simulator's users: "!guilds" (the ids of
// the guilds it has received) and "!count" (how many load messages it has seen). Like a stock
// bot it has no error listener: an error in discord.js ends the process, which the driver sees.
//
// Usage: node bot.js BASE_URL TOKEN    (BASE_URL like http://127.0.0.1:PORT)

'use strict';

const { Client, Events, GatewayIntentBits } = require('discord.js');

const [baseUrl, token] = process.argv.slice(2);
const LOAD_PREFIX = 'load message ';

const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
  // The REST base URL is discord.js's own option; the gateway URL needs none, as discord.js
  // connects where GET /gateway/bot says, like on Discord.
  rest: { api: `${baseUrl}/api` },
});

let loadMessages = 0;

client.once(Events.ClientReady, async (ready) => {
  console.log(`ready: ${ready.guilds.cache.size} guilds`);
  await ready.application.commands.set([{ name: 'ping', description: 'Replies pong' }]);
  console.log('registered global commands');
});

client.on(Events.ShardResume, (id) => console.log(`shard ${id} resumed`));
client.on(Events.ShardReconnecting, (id) => console.log(`shard ${id} reconnecting`));

client.on(Events.InteractionCreate, async (interaction) => {
  if (interaction.isChatInputCommand() && interaction.commandName === 'ping') {
    await interaction.reply('pong');
  }
});

client.on(Events.MessageCreate, async (message) => {
  if (message.author.id === client.user.id) return;
  if (message.content.startsWith(LOAD_PREFIX)) {
    loadMessages += 1;
  } else if (message.content === '!ping') {
    await message.channel.send('pong');
  } else if (message.content === '!guilds') {
    const ids = client.guilds.cache.filter((g) => g.available).map((g) => g.id).sort();
    await message.channel.send(`guilds ${ids.join(',')}`);
  } else if (message.content === '!count') {
    await message.channel.send(`count ${loadMessages}`);
  }
});

client.login(token);
