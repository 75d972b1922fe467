"""A minimal stock discord.py bot, for the conformance run against novera-sim.

It is the bot a discord.py user writes; the one change is where it connects (below). It
registers a global /ping, answers /ping and !ping with "pong", and answers two questions the
conformance driver asks through the simulator's users: "!guilds" (the ids of the guilds it
has received) and "!count" (how many load messages it has seen).

Usage: bot.py BASE_URL TOKEN    (BASE_URL like http://127.0.0.1:PORT)
"""

import sys

import discord
import yarl
from discord import app_commands

base_url, token = sys.argv[1], sys.argv[2]

# discord.py has no base-URL option: its REST routes are built on Route.BASE and its gateway
# connection starts at DiscordWebSocket.DEFAULT_GATEWAY (it never asks GET /gateway/bot for a
# single shard). Pointing both at the simulator is the only change to a stock bot.
discord.http.Route.BASE = f"{base_url}/api/v10"
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
    base_url.replace("http://", "ws://", 1) + "/"
)

LOAD_PREFIX = "load message "

intents = discord.Intents.default()
intents.message_content = True


class Bot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=intents)
        self.tree = app_commands.CommandTree(self)
        self.load_messages = 0

    async def setup_hook(self) -> None:
        await self.tree.sync()
        print("registered global commands", flush=True)


bot = Bot()


@bot.tree.command(description="Replies pong")
async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pong")


@bot.event
async def on_ready() -> None:
    print(f"ready: {len(bot.guilds)} guilds", flush=True)


@bot.event
async def on_resumed() -> None:
    print("resumed", flush=True)


@bot.event
async def on_message(message: discord.Message) -> None:
    if message.author == bot.user:
        return
    if message.content.startswith(LOAD_PREFIX):
        bot.load_messages += 1
    elif message.content == "!ping":
        await message.channel.send("pong")
    elif message.content == "!guilds":
        ids = sorted(str(g.id) for g in bot.guilds if not g.unavailable)
        await message.channel.send("guilds " + ",".join(ids))
    elif message.content == "!count":
        await message.channel.send(f"count {bot.load_messages}")


bot.run(token)
